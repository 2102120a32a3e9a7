"""The rule layer (safety/phrases.yml), phrase by phrase.

Written by the team; never copied from eval/ (the outside sets). Add a row here for
every phrase added to safety/phrases.yml, and a figure of speech it must
not catch.
"""
import pytest
import yaml

from safety.detector import PHRASES_FILE, compile_phrase, default_detector

CRISIS_SELF = [
    # indirect wordings found by strangers' test messages (2026-12-03), reworded
    "sometimes i just want to vanish for good", "ive been saving up my sleeping pills",
    "been stockpiling tablets for a month", "wrote goodbye letters to everyone last night",
    "he would be free if i was gone for good", "i have a plan and the date picked",
    "i think about ending it every single night", "im going to end it tonight",
    "i already decided im not going to be here for the holidays", "this is basically my goodbye",
    "i keep googling ways to die", "the only thing keeping me alive is my dog",
    "i keep staring at the rope in the shed", "held a blade to my wrist last night",
    "nobody would even notice if i was gone", "the world would be lighter without me",
    "please tell my wife i loved her after im gone", "i am unaliving myself soon",
    "i dont plan on being around much longer", "wrote letters to my kids just in case",
    "put my affairs in order this week", "i wont be here by spring", "i wont be around after friday",
    "im worth more dead than alive", "not that ill be alive to see it", "said my goodbyes today",
    "i know how and when now", "honestly id rather be dead", "i keep hitting my own head against the wall",
    "i make myself sick after dinner", "i lost so much weight that i faint now",

    "i want to kill myself", "I WANT TO DIE", "i just want to die tbh", "kms",
    "thinking about ending my life", "i wanna unalive myself", "im going to end it all tonight",
    "i dont want to be alive anymore", "i dont want to live", "no point living anymore",
    "everyone would be better off without me", "i cant go on anymore",
    "i want to go to sleep forever", "i hope i never wake up", "i wont be around much longer",
    "i cut myself again last night", "been hurting myself", "self-harm is all i think about",
    "ive written goodbye letters to my family", "giving away my things this week",
    "i have been feeling suicidal", "sucidal thoughts again", "Thinking of suicide",
    "how much does imago cost? also i dont want to be here anymore",
    "we fight all the time and honestly i wish i was dead",
    "relapsed last week and my arms are full of fresh cuts", "sh urges all day",
    "i burn myself with a lighter when im stressed", "honestly i hate myself",
    "is my life even worth living", "i cut when things get bad", "trying not to sh tonight",
    "where is a good place to kill yourself", "burning my skin helps me feel in control",
    "binge eating then throwing it all up again", "i cant do this anymore",
    "thinking about bloodletting again", "i stopped cutting for a year but", "my ed is loud today",
    "my life is pointless",
    "ive been slicing myself up again", "i take it all out on myself when im angry",
    "i trade emotional pain for physical pain", "i hide the scars on my arms",
    "posting pics of my cuts", "how do i cut deeper", "struggling with sh lately",
    "i used to be on shtwt",
    "i dont see the point in living anymore", "i hide the scars under long sleeves",
    "i took too many of my meds on purpose", "nobody would miss me if i was gone",
    "i took a handful of pills", "ive lost so much weight that i passed out",
    "tonight is my last night alive",
    # slang, euphemisms and typos
    "i might just off myself this weekend", "cant stop thinking about offing myself",
    "been thinking about sewer slide a lot", "some days i want to self-delete", "i wanna delete myself tbh",
    "i am going to delete myself tonight", "all i want is to rest forever", "so suicdal lately",
    "feeling sucicidal after the fight", "i was suisidal last year and its back",
]
EATING = [
    "ive been barely eating for weeks", "i throw up after every meal", "laxatives every night to lose weight",
    "my sister says i look like a skeleton", "i cant let myself eat anything", "i chew and spit out my food",
    "i stopped eating and now my heart races", "i throw up in the shower so nobody can hear",
    "my periods stopped because i barely eat", "just water and black coffee all day",

    "i havent eaten in 5 days and im dizzy",
    "i think i have anorexia", "im bulimic and no one knows", "my eating disorder is back",
    "i binge and then purge most nights", "how do i make myself throw up after dinner",
    "i stopped eating for a week", "i want to be so skinny that my ribs show",
    "any thinspo accounts to follow",
    "i only eat once every few days and i still feel fat", "i only eat twice a week now",
    "been only eating once every other day", "i only eat once every couple of days",
]
CRISIS_METHOD = [
    "how many pills would it take to die", "whats the most painless way to die",
    "how do i kill myself", "lethal dose of tylenol", "im standing on the bridge right now",
    "how high does a bridge need to be to jump", "i have the pills ready",
    "easiest way to end it",
    "i keep imagining steering my car into a wall on the motorway", "im tempted to swerve into oncoming traffic",
    "planning to drive off the cliff road tonight", "thought about throwing myself in front of a train today",
    "sometimes i think about an overdose", "i overdosed on saturday and nobody knows",
]
CRISIS_OTHER = [
    "my daughter has cuts on her arms", "she texted goodbye and now her phone is off",
    "my son posted see you never", "my mum is giving away all her jewellery",
    "found pills in his drawer and a note", "my dad keeps saying we would all be better off without him",
    "my wife called me from the bridge and said sorry", "he said hes thinking about using the gun on himself",
    "found a goodbye note in my sons bag", "he made me promise not to tell, he has a date picked",
    "he messaged this is the last time youll ever hear from me", "my sister bangs her head against the wall",

    "my partner says hell kill himself if i leave", "she took a bunch of pills",
    "my boyfriend keeps talking about killing himself", "my wife swallowed all her pills",
    "my partner is locked in the bathroom and says she wants to die", "he wants to die",
    "my brother texted me goodbye and now hes not answering",
    "my boyfriend sent me a goodbye text and wont answer his phone",
    "my sister messaged thank you for everything and hasnt replied since",
    "he wrote that i was the best friend ever, you were the best, and now he is not answering",
    "my mum texted sorry for everything and then she stopped responding",
]
HARM_OTHERS = [
    "im scared ill snap and hit her", "i worry i will shake my baby", "i picture killing him sometimes",
    "i almost choked my wife last night", "i have a gun and keep thinking about using it on him",
    "i punched the wall right next to her face", "i might kill the guy if i see him",
    "im scared of what i will do next time", "i shook my baby yesterday",
    "i shoved my wife against the wall",

    "i want to kill my husband", "im going to stab him", "i have urges to hurt my baby",
    "im planning to hurt my husband when he gets home", "im scared im going to hurt my partner",
    "part of me wants to wreck the car with my wife in it", "i keep thinking i could crash the truck with him inside",
]
ABUSE = [
    "my dad hits me when hes angry", "he gets rough when hes drunk", "i have to hide the bruises",
    "i wear long sleeves so no one sees the bruises", "he pinned me down on the bed",
    "my son shoves me around", "he yells in my face", "i put concealer on the bruise on my cheek",
    "i told them i fell down the stairs. i didnt",

    "my partner keeps touching me after i say no", "im afraid hell hurt me if i leave",
    "domestic violence", "he smashed my phone so i couldnt call anyone",
    "my husband hits me", "he choked me last night", "she slaps me when she drinks",
    "he forces me to have sex", "my partner raped me", "he threatened to kill me",
    "he says he will kill me if i leave", "im scared of my husband", "im afraid to go home",
    "he throws things at me", "he locks me in the house", "i was sexually assaulted",
    "would imago help if my partner beats me",
    # strangulation without "choke"
    "he wrapped his hands around my throat", "her hands were on my neck and i couldnt breathe",
    "my husband grabbed my throat during the argument", "he squeezes my neck when he is drunk",
    "she held me by the neck against the door",
    # throwing and smashing in anger
    "when the kids are loud he throws things", "my wife smashes plates when she loses it",
    "he throws stuff across the kitchen if i talk back", "my boyfriend starts throwing things around when he gets angry",
    "my husband punches holes in the doors",
]
SPANISH_CRISIS = ["quiero morir", "me quiero matar", "no quiero vivir", "pienso en el suicidio",
                  "no quiero seguir viviendo", "ya no aguanto más", "tengo ganas de morir",
                  "mi amiga se quiere morir", "tengo pensamientos suicidas", "ya no tengo ganas de vivir",
                  "mi vida no tiene sentido"]
SPANISH_ABUSE = ["mi esposo me pega", "tengo miedo de mi pareja", "mi esposo me controla el dinero",
                 "me revisa el teléfono", "no me deja ver a mis amigas", "me amenaza con quitarme a los hijos",
                 "me obliga a tener relaciones", "mi novio me obliga a hacer cosas sexuales"]
HOPELESS = [
    "i do not see a future for myself", "there is no future for me", "honestly theres no future for me",
    "i dont see the point of anything anymore", "nothing matters anymore", "nothing really matters to me anymore",
    "i dont know if ill still be here next week", "i wont be here much longer",
    "im giving up on life", "i give up on everything", "ive given up on everything",
    "im a burden to everyone", "i feel like a burden to the people around me",
    "everyone would be better off if i was gone", "my kids would be happier if i wasnt around",
    "i just want it all to stop", "i want everything to end", "i want to disappear",
    "i wish i could just disappear", "im so tired of living.", "tired of living tbh",
    "im tired of being alive", "sick of existing",
    "what is the point of waking up", "my future feels pointless", "i have nothing left to live for",
    "i just want to stop existing", "im done with life", "i have no future and no hope",
    "honestly there is no point anymore", "no point anymore.", "what's the point anymore", "i really do not see the point anymore",
    # a softener after "anymore" (seen in a visitor test: it got "say it another way")
    "i dont see the point anymore honestly", "theres no point anymore tbh", "whats the point anymore really",
]
# Hopelessness an older crisis|self phrase already finds (that category ranks first).
HOPELESS_SELF = ["they would be better off without me"]
MEANS = [
    "how many pills does it take to die", "what is a lethal dose of paracetamol",
    "how long does it take to bleed out", "which bridge is high enough to jump from",
    "how much of my insulin would kill a person", "what is the most painless way to die",
    "how to tie a noose", "how many sleeping pills is an overdose",
    "how much ibuprofen is lethal", "whats the least painful way to die",
    "what pills can kill you", "how high do you have to fall to die", "can you bleed to death from your wrist",
    "how many ibuprofen would it take", "how many advil is too many", "how much tylenol is too much",
    "how many sleeping pills is too many", "how many xanax would it take to not wake up",
    "how many benadryl before it kills you",
]
HELPER_CRISIS = [
    "my friend keeps saying she wants to end it all", "my daughter talks about wanting to die",
    "my husband said he does not want to live anymore", "my sister is cutting herself",
    "i think my friend is suicidal", "my son said everyone would be better off without him",
    "he says he will hurt himself if i leave", "my mom told me she doesnt want to live anymore",
    "my roommate keeps saying everyone would be better off without her",
    "i found him unconscious next to his pills", "my dad told me he wants to end his life",
    "my sister swallowed a handful of her pills", "my husband says we would be better off if he was dead",
    "my teenage son has been cutting his arms", "i think my daughter is starving herself", "my girlfriend burns her wrists",
    "my brother has been burning himself with cigarettes", "my niece slashed her thighs again",
]
CONTROL = [
    "i have to ask permission to see my sister", "he locks the fridge and i have to ask to eat",
    "she makes me share my location all day", "he hacked into my email", "he reads all my messages",
    "she cut me off from all my friends", "he knows all my passwords", "he decides what i wear",
    "i have to beg him for money for groceries", "i am not allowed to call them",
    "i dont feel safe at home anymore", "i do not feel safe with him",

    "he checks my phone every night", "he doesnt let me see my friends", "she controls all my money",
    "he takes my paycheck", "my husband tracks my location", "he threatens to take the kids if i leave",
    "im not allowed to see my family", "he monitors my messages", "my wife reads all my texts",
    "he goes through my phone when im asleep", "my boyfriend wont let me talk to my parents",
    "he stops me from seeing my sister", "im not allowed to leave the house",
    "she said shell take the kids away from me", "he threatened to share my nude photos",
    "he keeps my passport", "my partner demands my passwords",
    "he threatened to divorce me and take the kids",
]
THREATS = [
    "he showed me his gun", "he said he would use it on me", "he said hell hurt the cat if i leave",
    "she says no one will ever believe me", "he drove fast with the kids in the car to scare me",
    "she says she will ruin my life if i leave", "he will make my life hell if i tell anyone",
           "my ex says he will make sure i never see my son", "he told me i would never see the children again",
           "he says he will take the kids to his family overseas and i will never find them",
           "if i leave him i will never see the kids again, he swore it",
           "he threatens to crash the car with me and the kids in it", "he speeds on the highway just to scare me"]
STALKING = [
    "my ex keeps following me", "he is stalking me", "my ex shows up at my work",
    "he put a tracker on my car", "i found an airtag in my bag that isnt mine", "im being stalked",
    "my ex keeps showing up at my house", "he keeps texting me even though i blocked him",
    "how do i get a restraining order", "he messages me from fake accounts even though i blocked him",
    "my ex is spying on me",
]
NIGHT_VISITS_AND_TOUCHING = [
    "my stepdad comes into my bedroom at night and i do not like it",
    "my uncle comes in my room at night and i pretend to be asleep",
    "my stepfather sneaks into my bedroom", "my uncle creeps into my bed when he stays over",
    "my grandpa touches me when nobody is around", "a teacher touched me inappropriately",
    "my mom's boyfriend comes into my room at night and it makes me uncomfortable",
]
SEXUAL_COERCION = [
    "he pressures me into sex", "he makes me do sexual things i do not want", "he guilt-trips me into sex",
    "she won't stop when i say no", "my boyfriend pressures me to send nudes",
    "he keeps going even when i tell him to stop", "he guilts me into sleeping with him",
    "he still wants sex even when i tell him no", "she gets angry if i refuse sex", "i can not say no to him in bed",
]
ABUSE_OTHER = [
    "her husband controls all her money", "he takes her pension every month",
    "my friend keeps turning up with bruises", "my sister always has bruises",
    "he never lets her go anywhere alone", "she had a black eye again", "he grabbed her by the throat",

    "my sister's husband controls all her money", "he hits her", "my friend's boyfriend beats her",
    "my mom is being abused by her partner", "my neighbour beats his wife", "my dad hits the kids",
    "her husband is violent", "he threatens to kill her", "i think my friend is being abused",
    "my stepdad beats my mom", "her husband takes her whole paycheck", "her boyfriend reads her texts",
    "he won't let her see her family", "her husband threatens her", "her ex keeps following her everywhere",
    "i think he is stalking her",
    "my husband gropes my daughter", "i think her stepdad touches her inappropriately",
    "my husband goes into our son's room at night and he seems terrified",
]
# Abuse of someone else that an own-abuse phrase ranks first ("abusive
# relationship" is in control): the category is control, the person is not.
ABUSE_OTHER_BY_CONTEXT = ["i think my friend is in an abusive relationship"]
FRENCH_CRISIS = [
    "je veux mourir", "j'ai envie de mourir", "je vais me tuer", "je pense a me suicider",
    "je veux en finir avec la vie", "je vais mettre fin à mes jours", "je ne veux plus vivre",
    "j'ai envie de me faire du mal", "je me scarifie", "j'ai des idées noires",
    "j'ai des pensées suicidaires", "je voudrais disparaître", "je me coupe les veines",
    "j'ai envie de me foutre en l'air", "je vais me foutre en l'air ce soir", "je veux en finir avec tout",
    "je vais en finir avec la vie",
]
FRENCH_ABUSE = [
    "mon mari me frappe", "mon conjoint me bat", "mon copain me menace", "il me frappe",
    "je suis victime de violences conjugales", "violence conjugale", "il m'a violée",
    "j'ai peur de mon mari", "il me force à avoir des relations", "mon mari controle mon argent",
    "il ne me laisse pas voir mes amies", "mon mari menace de me tuer",
    "mon conjoint me surveille tout le temps", "mon mari m'interdit de voir ma famille",
    "il m'interdit de travailler",
]
GERMAN_CRISIS = ["ich will mich umbringen", "meine freundin will sich umbringen", "er will sich das leben nehmen",
                 "ich will mir das leben nehmen", "sie ritzt sich"]
GERMAN_ABUSE = ["mein vater schlägt mich", "meine frau bedroht mich", "er hat mich geschlagen"]
# pt and hi need "pt" and "hi" in safety/detector.py LANGUAGES.
PORTUGUESE_CRISIS = ["eu quero morrer", "estou pensando em me matar", "minha irmã quer se matar",
                     "não quero mais viver", "vou tirar minha vida", "tenho pensado em suicídio",
                     "penso em suicidio todo dia"]
PORTUGUESE_ABUSE = ["meu marido me bate", "ele me bate quando bebe", "meu namorado me ameaça",
                    "ele me agride", "sofro violência doméstica", "tenho medo do meu marido"]
HINDI_CRISIS = ["main marna chahti hoon", "mujhe ab jeena nahi hai", "khud ko khatam karna chahta hu",
                "main suicide kar lunga", "aatmahatya ke khayal aate hain", "mujhe marna hai"]
HINDI_ABUSE = ["mera pati mujhe maarta hai", "wo mujhe marta hai roz", "ghar mein maar peet hoti hai",
               "pati mujhe maarta hai"]
FIGURES_OF_SPEECH = [
    # near the phrases added 2026-12-03
    "we want to disappear to the beach for good weather", "saving up for the imago workshop",
    "i wrote a note to my teacher", "we have a plan and a date for the wedding ceremony at noon",
    "i think about ending it with him", "we decided to end it and divorce", "our goodbye party is friday",
    "the only thing keeping me going is coffee", "i stare at my phone all day",
    "nobody would notice if i left the party early", "my team would be weaker without me",
    "gonna shoot my shot at the workshop", "trying to stop cutting carbs", "how do therapists screen for domestic violence",
    "reading a novel about an abusive marriage", "i'm worried i'll hurt her feelings", "almost hit the car in front",
    "we stopped eating meat", "my husband knows my password for netflix",
    "i have to ask permission to leave work early", "i had to beg my boss for a day off",
    "my kid throws things around", "he cut me off in traffic", "we lock the pantry because of the toddler",
    "the heat is killing me", "my phone just died", "finished my cutting phase at the gym",
    "he hit a six at cricket", "work keeps me from my sleep", "this keeps me from my homework", "how do i break up without hurting him", "nurses ask about self harm at triage",
    "i won't be here next week, can we move the session", "i feel safe with him now after therapy",

    "we only eat out once a week to save for therapy", "i only eat once a day, intermittent fasting",
    "my partner is killing me with these dishes", "im dying to know the cost",
    "how do i kill a python process", "that joke killed me", "whats the best way to kill time",
    "my mom will kill me if im late", "this commute is killing me", "i could die of embarrassment",
    "i am on the edge of my seat", "i cant go on a vacation this year", "we killed it at the party",
    "she hit the ball hard", "it hit me that we never talk", "how do i shoot a good photo",
    "i got my hair cut last night", "dead tired after work", "he pushes my buttons",
    "what is imago therapy", "how much does it cost", "we argue about money",
    "my boss will not let me leave early", "best way to go to the airport",
    "i cut the onions too thick", "we stopped eating out to save money", "this sh is crazy",
    "my hair cut looks bad", "we binge watched a whole series", "roll the dice",
    "we cut the budget again", "the paper cuts from filing hurt",
    "he texted me goodbye before his flight", "im going to hurt my back lifting",
    "whats the point of life in the grand scheme", "this is my last day at work",
    "i havent eaten in 2 hours", "i lost weight and feel great",
    "we need to take my phone to the repair shop",
    "i sliced myself a piece of cake", "i take it out on my partner when im tired",
    "the physical pain after the gym is real", "pictures of our wedding",
    "the marks on my car", "cut deeper into the budget? no", "a bash or sh script",
    # figures of speech and therapy questions near the newer phrases
    "my husband would die laughing at the exercises", "dying to know", "killer schedule this week",
    "is there no point in couples therapy if he won't come", "we are giving up on the marriage counselor",
    "he checks my homework", "she controls the tv remote", "can i see my friends during the retreat",
    "i am giving up on this relationship", "there is no future for our marriage",
    "what is the point of imago therapy", "i feel like a burden to my husband when i ask for help with chores",
    "i don't see a future with him", "we have no future together", "i'm tired of living with my in-laws",
    "tired of living paycheck to paycheck", "we want to disappear for a weekend away",
    "i just want the fighting to stop", "nothing he says matters to me", "i gave up everything for him",
    "i'd be better off without him", "my mom says i would be better off if i left him",
    "i won't be here next week, we are on vacation", "is there any point in trying imago again",
    "what is a normal dose of melatonin", "how long does imago therapy take",
    "how many sessions does it take to see results", "how high is the retreat center above sea level",
    "what is the best way to tie a tie", "the colors bleed out in the wash",
    "my husband manages our money", "we share our locations with each other", "he takes the kids to school",
    "he threatens to leave if i don't go to therapy", "she started following me on instagram",
    "my husband showed up at my office with flowers", "i put an airtag on my keys",
    "he won't let me talk during arguments", "my wife won't let me have a dog", "i check my phone too much",
    "the app tracks my location", "i'm not allowed to have caffeine", "my boss won't let me work from home",
    "my toddler doesn't stop crying when i say no", "she hit the ball hard", "he kicked him out of the band",
    "her husband threatens to leave", "she makes me feel sexy", "he makes me laugh every day",
    "she pressures me to sleep earlier", "my daughter is being bullied at school",
    "ma mère va me tuer si je suis en retard", "il ne me frappe pas", "j'ai peur de lui dire",
    "je veux en finir avec cette dispute", "ce qui m'a frappé c'est son silence", "mi jefe me obliga a trabajar",
    "no me deja dormir con sus ronquidos", "me revisa la tarea",
    "my husband checks his phone constantly", "i stalk her instagram sometimes", "our dog follows her around",
    "rent takes her whole paycheck", "the divorce took all her money", "we stopped having sex after the baby",
    "he gets angry if i forget to call", "i blocked him on facebook after the argument",
    "my husband controls the tv and the thermostat", "he looks through my bag for his keys",
    "there is no reason for me to stay in this marriage", "no reason for me to be jealous",
    "im done with living in this city", "il ne me laisse pas voir son téléphone", "je n'en peux plus de ses retards",
    "no tengo ganas de seguir discutiendo", "no vale la pena seguir con él",
    "my mom says we would be better off if he was gone",
    # near the newer phrases: sayings, everyday overdosing, leaving, accidents, hugs
    "my husband shoots down all my suggestions", "that talk was a dead end", "i would die for my children",
    "i'd literally die for a nap", "can one overdose on couples therapy", "i think i overdosed on reality tv",
    "i overdosed on chocolate at easter lol", "my wife is a paramedic and sees overdoses every shift",
    "he works in the er and treats overdose patients", "he threatened to divorce me if i don't stop gambling",
    "she threatens to move out whenever we fight", "she put her hands around my neck and kissed me",
    "my wife puts her hands on my neck to give me a massage", "he grabbed the neck of the guitar",
    "my husband never throws things away", "she throws stuff out when she is decluttering",
    "he throws things around looking for his keys", "our toddler throws things",
    "i never see my kids anymore since they moved to college", "we take the kids to the lake and i never want to leave",
    "my dad comes into my room at night to say goodnight", "my brother sneaks into my room to borrow my charger",
    "my father never touched me or said he loved me", "my dad touched me on the shoulder and said well done",
    "he cut himself shaving", "she burned herself on the oven", "he accidentally cut himself chopping onions",
    "my daughter burned her skin at the beach in the sun", "she cut her legs shaving", "he punishes himself for every mistake",
    "i put my hands on my neck when i feel anxious", "i grab my throat when i cough", "my stepbrother sneaks into my room to borrow my charger",
    "my dad came into my room when my mom was away to read me a story", "if i leave i worry i will never see my kids every day",
    "we take the kids to grandma and i will not see them all week",
    "she texted thanks for everything after the dinner", "my therapist said sorry for everything, she does not answer on weekends",
    "how many sessions is too many", "how much caffeine is too much", "how many advil can i take for a headache",
    "how much ibuprofen does it take to work", "i feel like i keep crashing into a wall with him",
    "thinking about driving to the lake this weekend", "i crashed my car into a pole last winter",
    "i want to drive the car with my wife in the morning", "no point arguing with him about it",
    "there is no point in going to a workshop alone", "is there any point anymore in counselling",
    "i switched it off myself", "i paid the loan off myself", "the photos self-delete after a day",
    "i deleted myself from the family group chat", "i want to rest this weekend", "rest in peace dad",
    "ça me fout en l'air ma journée", "le médecin m'interdit de manger du sucre",
    "me bateu uma saudade dele", "minha mãe vai me matar se eu chegar tarde", "ela vai se matar de tanto trabalhar",
    "tere bina jeena nahi", "i stopped crying after my pills kicked in", "i was crying at the coffin",
    "i keep crying, my blood pressure is high", "i cut my finger with a knife, blood everywhere",
]


@pytest.fixture(scope="module")
def detector():
    return default_detector()


@pytest.mark.parametrize("text", CRISIS_SELF + CRISIS_METHOD + EATING)
def test_crisis_about_oneself(detector, text):
    found = detector.detect(text)
    assert found and found.type == "crisis" and found.about == "self", found


@pytest.mark.parametrize("text", CRISIS_OTHER)
def test_someone_else_in_danger(detector, text):
    found = detector.detect(text)
    assert found and found.type == "crisis" and found.about == "someone_else", found


@pytest.mark.parametrize("text", HARM_OTHERS)
def test_intent_to_harm_someone(detector, text):
    found = detector.detect(text)
    assert found and found.type == "crisis", found


@pytest.mark.parametrize("text", ABUSE)
def test_abuse(detector, text):
    found = detector.detect(text)
    assert found and found.type == "abuse", found


@pytest.mark.parametrize("text, kind", [(t, "crisis") for t in SPANISH_CRISIS] + [(t, "abuse") for t in SPANISH_ABUSE])
def test_spanish(detector, text, kind):
    found = detector.detect(text)
    assert found and found.type == kind and found.language == "es", found


@pytest.mark.parametrize("text", HOPELESS + HOPELESS_SELF)
def test_hopelessness(detector, text):
    found = detector.detect(text)
    assert found and found.type == "crisis" and found.about == "self", found


@pytest.mark.parametrize("text", HOPELESS)
def test_hopelessness_category(detector, text):
    assert detector.detect(text).category == "hopeless"


@pytest.mark.parametrize("text", MEANS)
def test_means_questions(detector, text):
    found = detector.detect(text)
    assert found and found.type == "crisis" and found.category == "method" and found.about == "self", found


@pytest.mark.parametrize("text", HELPER_CRISIS)
def test_helper_writing_about_someone_in_danger(detector, text):
    found = detector.detect(text)
    assert found and found.type == "crisis" and found.about == "someone_else", found


@pytest.mark.parametrize("text, category", [(t, "control") for t in CONTROL] + [(t, "threats") for t in THREATS]
                         + [(t, "stalking") for t in STALKING]
                         + [(t, "sexual") for t in SEXUAL_COERCION + NIGHT_VISITS_AND_TOUCHING])
def test_control_stalking_and_coercion(detector, text, category):
    found = detector.detect(text)
    assert found and found.type == "abuse" and found.category == category, found


@pytest.mark.parametrize("text", ABUSE_OTHER)
def test_abuse_of_someone_else(detector, text):
    found = detector.detect(text)
    assert found and found.type == "abuse" and found.category == "other" and found.about == "someone_else", found


@pytest.mark.parametrize("text", ABUSE_OTHER_BY_CONTEXT)
def test_abuse_of_someone_else_read_from_context(detector, text):
    found = detector.detect(text)
    assert found and found.type == "abuse" and found.about == "someone_else", found


@pytest.mark.parametrize("text, kind", [(t, "crisis") for t in FRENCH_CRISIS] + [(t, "abuse") for t in FRENCH_ABUSE])
def test_french(detector, text, kind):
    found = detector.detect(text)
    assert found and found.type == kind and found.language == "fr", found


@pytest.mark.parametrize("text, kind", [(t, "crisis") for t in GERMAN_CRISIS] + [(t, "abuse") for t in GERMAN_ABUSE])
def test_german(detector, text, kind):
    found = detector.detect(text)
    assert found and found.type == kind and found.language == "de", found


@pytest.mark.parametrize("text, kind", [(t, "crisis") for t in PORTUGUESE_CRISIS] + [(t, "abuse") for t in PORTUGUESE_ABUSE])
def test_portuguese(detector, text, kind):
    found = detector.detect(text)
    assert found and found.type == kind and found.language == "pt", found


@pytest.mark.parametrize("text, kind", [(t, "crisis") for t in HINDI_CRISIS] + [(t, "abuse") for t in HINDI_ABUSE])
def test_hindi_in_latin_letters(detector, text, kind):
    found = detector.detect(text)
    assert found and found.type == kind and found.language == "hi", found


@pytest.mark.parametrize("text, kind, category", [
    ("he wrapped his hands around my throat", "abuse", "violence"),
    ("when the kids are loud he throws things", "abuse", "violence"),
    ("my ex says he will make sure i never see my son", "abuse", "threats"),
    ("my teenage son has been cutting his arms", "crisis", "other"),
    ("my sister messaged thank you for everything and hasnt replied since", "crisis", "other"),
    ("how many advil is too many", "crisis", "method"),
    ("i keep imagining steering my car into a wall on the motorway", "crisis", "method"),
    ("part of me wants to wreck the car with my wife in it", "crisis", "harm_others"),
    ("honestly there is no point anymore", "crisis", "hopeless"),
    ("i might just off myself this weekend", "crisis", "self"),
])
def test_newer_phrases_fire_in_their_category(detector, text, kind, category):
    found = detector.detect(text)
    assert found and (found.type, found.category) == (kind, category), found


@pytest.mark.parametrize("text, handoff_type", [
    ("my husband shoots down all my suggestions", "crisis"), ("that talk was a dead end", "crisis"),
    ("i'd literally die for a nap", "crisis"), ("i think i overdosed on reality tv", "crisis"),
    ("my wife is a paramedic and sees overdoses every shift", "crisis"),
    ("he threatened to divorce me if i don't stop gambling", "abuse"),
])
def test_sayings_do_not_support_a_model_verdict(detector, text, handoff_type):
    assert not detector.supports(handoff_type, detector.read(text))


def calm_lines():
    return yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))["calm"]


@pytest.mark.parametrize("line", calm_lines())
def test_calm_lines_compile(line):
    assert compile_phrase(line)


@pytest.mark.parametrize("text", FIGURES_OF_SPEECH)
def test_figures_of_speech_stay_quiet(detector, text):
    assert detector.detect(text) is None


@pytest.mark.parametrize("text", ["", "   ", None, 42, "😢"])
def test_odd_input(detector, text):
    assert detector.detect(text) is None


@pytest.mark.parametrize(
    "text, code",
    [("im in the uk", "GB"), ("I live in Canada", "CA"), ("we are from new zealand", "NZ"),
     ("im in germany", "INTL"), ("what is imago", None), ("in us we trust", None)],
)
def test_where_the_visitor_is(detector, text, code):
    assert detector.country(text) == code


def test_a_phrase_with_a_short_form_is_refused():
    with pytest.raises(ValueError):
        compile_phrase("im ~kill")


@pytest.mark.parametrize("text, about", [
    ("my friend keeps saying she wants to end it all", "someone_else"),
    ("my daughter talks about wanting to die", "someone_else"),
    ("my husband left and i want to end it all", "self"),
    ("he makes me want to die", "self"),
    ("my husband says i should kill myself", "self"),
    ("he threatens to take the kids if i leave", "self"),       # the abuser's "he" is not the one at risk
    ("he violated the restraining order again", "self"),
    ("my friend is in an abusive relationship", "someone_else"),
    ("what meds can kill someone", "self"),                     # a means question is the asker's risk
    ("mi esposo dice que se va a matar", "someone_else"),
    ("pienso en el suicidio", "self"),
    ("meine schwester will sich umbringen", "someone_else"),
    ("ich will mich umbringen", "self"),
    ("my son has been burning his arms", "someone_else"),
    ("my stepdad comes into my room at night and i do not like it", "self"),
])
def test_whose_danger(detector, text, about):
    found = detector.detect(text)
    assert found and found.about == about, found


@pytest.mark.parametrize("text, language", [
    ("je pense au suicide", "fr"), ("thinking of suicide", "en"), ("quiero morir", "es"),
    ("ich will nicht mehr leben", "de"), ("mon mari me frappe", "fr"),
])
def test_the_handoff_speaks_the_visitors_language(detector, text, language):
    assert detector.detect(text).language == language


@pytest.mark.parametrize("text", [
    "what is the suicide rate among couples", "my uncle died by suicide years ago, can imago help us talk about it",
    "my husband would die laughing at the exercises", "you are killing me with these questions",
])
def test_figures_of_speech_and_suicide_as_a_topic_do_not_fire(detector, text):
    assert detector.detect(text) is None


def test_calm_words_do_not_support_a_model_verdict(detector):
    reading = detector.read("my husband would die laughing at the exercises")
    assert not detector.supports("crisis", reading)
    assert detector.supports("crisis", detector.read("i would rather die"))


@pytest.mark.parametrize("text", ["i am tired of living", "whats the point of going on", "i have no future"])
def test_end_of_message_phrases(detector, text):
    assert detector.detect(text).category == "hopeless"


@pytest.mark.parametrize("text", ["i am tired of living with my in-laws", "is there a point of going on with therapy",
                                  "i have no future with him"])
def test_end_of_message_phrases_need_the_end(detector, text):
    assert detector.detect(text) is None


@pytest.mark.parametrize("text, category", [
    ("i will not be here next month so it does not matter anyway", "hopeless"),
    ("im buying a rope tomorrow, ive made up my mind", "method"),
])
def test_decided_and_not_around(detector, text, category):
    assert detector.detect(text).category == category


@pytest.mark.parametrize("text", ["i wont be here next week so can we talk on monday",
                                  "i made up my mind to get a new phone"])
def test_decided_and_not_around_stay_quiet(detector, text):
    assert detector.detect(text) is None


@pytest.mark.parametrize("text, kind", [
    ("he pushed me down the stairs", "abuse"), ("she shoved me into the wall", "abuse"),
    ("i purge after every meal now", "crisis"), ("i keep having thoughts of poisoning my wife", "crisis"),
    ("i wish i was never born", "crisis"), ("i dont want to be in this world anymore", "crisis"),
])
def test_more_kinds_of_danger(detector, text, kind):
    assert detector.detect(text).type == kind


@pytest.mark.parametrize("text", ["she pushed me into therapy", "i binge on netflix every weekend",
                                  "he pushed me to try imago", "we wish for a death free road trip"])
def test_more_everyday_talk_stays_quiet(detector, text):
    assert detector.detect(text) is None


def test_in_abuse_talk_the_subject_is_not_the_one_at_risk(detector):
    assert detector.detect("she throws things at me when she drinks").about == "self"
    assert detector.detect("he hits her").about == "someone_else"


@pytest.mark.parametrize("text", ["the blood is the only thing that helps me cope", "bleeding is the only way i feel real",
                                  "i hide my razors in a sock drawer", "i went back to the blade last night"])
def test_blood_and_blades_as_coping(detector, text):
    assert detector.detect(text).type == "crisis"


@pytest.mark.parametrize("text", ["the only thing that helps is a hot bath", "i shave with a razor blade",
                                  "pain is the only way my back tells me to rest"])
def test_blades_and_pain_in_everyday_talk(detector, text):
    assert detector.detect(text) is None


def test_not_around_long_enough(detector):
    assert detector.detect("whats the point, i wont be around long enough to go to sessions").type == "crisis"
    assert detector.detect("i wont be here long enough to see the end of the movie") is None
